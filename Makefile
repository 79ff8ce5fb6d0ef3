.PHONY: run test lock messages

# Starts the web server, a Celery worker, Celery beat and the gateway simulator.
run:
	bin/run

# ruff, mypy and the whole test suite; .ci/run calls exactly this.
test:
	bin/test

# Re-resolves uv.lock after a change to pyproject.toml.
lock:
	PY=$$(bin/find-python) && UV_PYTHON=$$PY "$$(bin/install-uv $$PY)" lock

# Re-reads every translatable string into locale/zh_Hans/LC_MESSAGES/django.po (the same
# files tests/test_i18n.py checks); then translate the new entries and run bin/bootstrap.
messages:
	.venv/bin/python manage.py makemessages -l zh_Hans --no-location --no-obsolete \
		--ignore=.venv --ignore=playground/simulator --ignore=tests --ignore=bench \
		--ignore=var --ignore=test-artifacts --ignore=docs
