# One image for every BuildTrace process in the cluster: the Dagster code
# location (gRPC server), run and step pods, and the Streamlit portal.
FROM python:3.11-slim-bookworm

# Tesseract reads pages without a text layer; OMP_THREAD_LIMIT=1 keeps it from
# oversubscribing the pod's cores (about 4x faster on 2 cores). The Debian
# release of the base image pins the version; pinning it here as well would
# break the build at every Debian point release. tesserocr is built against
# this libtesseract (its wheels bundle another Tesseract, which reads
# differently), so its build tools are installed here and removed below.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        tesseract-ocr libtesseract-dev libleptonica-dev pkg-config g++ \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    OMP_THREAD_LIMIT=1 \
    DAGSTER_HOME=/opt/dagster/dagster_home \
    BUILDTRACE_DATA_DIR=/tmp/buildtrace

WORKDIR /opt/buildtrace

# Dependencies first, pinned by constraints.txt, so code edits reuse this layer.
COPY pyproject.toml constraints.txt README.md ./
RUN mkdir -p buildtrace_assets portal \
    && touch buildtrace_assets/__init__.py portal/__init__.py \
    && pip install --no-binary tesserocr -c constraints.txt . \
    && pip uninstall -y buildtrace \
    && apt-mark manual libtesseract5 \
    && apt-get purge -y --auto-remove libtesseract-dev libleptonica-dev pkg-config g++

COPY buildtrace_assets ./buildtrace_assets
COPY portal ./portal
COPY dagster.yaml workspace.yaml ./
RUN pip install --no-deps -c constraints.txt . \
    && mkdir -p "$DAGSTER_HOME" \
    && useradd --create-home --uid 10001 buildtrace \
    && chown -R buildtrace "$DAGSTER_HOME"

USER 10001
EXPOSE 3030 8501
# The code location; the helm chart overrides the command for the portal.
CMD ["dagster", "code-server", "start", "--host", "0.0.0.0", "--port", "3030", "--module-name", "buildtrace_assets.definitions"]
