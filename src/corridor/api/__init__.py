"""The HTTP edge: FastAPI app factory, one router per domain, error handlers, dependencies."""
