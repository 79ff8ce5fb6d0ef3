# One image for web, worker, beat, the one-shot migrate service and the simulator (see
# docker-compose.yml). .dockerignore keeps var/ (secrets, database, media) and .venv out of it.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/venv UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy \
    PATH=/venv/bin:$PATH PLAYGROUND_VAR_DIR=/data
WORKDIR /app

# gettext: compilemessages builds the Chinese catalog (.mo files are not committed).
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv==0.13.9
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
# Static files collected into the image (WhiteNoise's copy on web); the migrate service copies
# them into the volume nginx serves. /data, /media and /static are where volumes mount, owned by
# the unprivileged user so that fresh named volumes are too.
RUN PLAYGROUND_MODE=production SECRET_KEY=build-only PLAYGROUND_ENCRYPTION_KEYS=build-only \
    PLAYGROUND_VAR_DIR=/app/var python manage.py collectstatic --noinput \
    && PLAYGROUND_MODE=production SECRET_KEY=build-only PLAYGROUND_ENCRYPTION_KEYS=build-only \
    PLAYGROUND_VAR_DIR=/app/var python manage.py compilemessages --verbosity=0 \
    && useradd --create-home playground \
    && mkdir -p /data /media /static && chown playground /data /media /static
ENV STATIC_ROOT=/app/var/staticfiles
USER playground
EXPOSE 8000 8001
# gthread: an open chat stream holds one thread, not a whole worker, so it blocks no one else.
CMD ["gunicorn", "playground.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "8", "--timeout", "180"]
