"""What the Python SDK's tests share: the installed package, a real gateway process, a busy test server."""
