"""The Python SDK's tests (standard library unittest): against the package as pip installs it, into a temporary
directory, and a real gateway process. Run them from sdk/python with `python3 -m unittest discover -s tests -t .`
after `npx tsc -b` in the repository; `npm test` runs them (test/contract/pythonSdk.test.ts)."""

from .support.package import install_package

install_package()

from .support.answers import record_gateway_answers  # noqa: E402 - imports the package just installed

record_gateway_answers()
