"""The Python SDK's tests (standard library unittest): against the package as pip installs it, into a temporary
directory, and a real gateway process. Run them from sdk/python with `python3 -m unittest discover -s tests -t .`
after `npx tsc -b` in the repository; `npm test` runs them (test/contract/pythonSdk.test.ts)."""

import signal

from .support.package import install_package

# Ended from outside (mocha's timeout): stop as on Ctrl-C, which unittest does not catch, so the run ends and atexit
# stops the gateways and removes the install.
signal.signal(signal.SIGTERM, signal.default_int_handler)
install_package()

from .support.answers import record_gateway_answers  # noqa: E402 - imports the package just installed

record_gateway_answers()
