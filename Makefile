.PHONY: run test lock

# Starts the web server, a Celery worker, Celery beat and the gateway simulator.
run:
	bin/run

# ruff, mypy and the whole test suite; .ci/run calls exactly this.
test:
	bin/test

# Re-resolves uv.lock after a change to pyproject.toml.
lock:
	PY=$$(bin/find-python) && UV_PYTHON=$$PY "$$(bin/install-uv $$PY)" lock
