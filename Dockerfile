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
    PATH=/venv/bin:$PATH
RUN useradd --create-home --uid 10001 tourbot
COPY --from=build /venv /venv
WORKDIR /app
COPY knowledge ./shipped-knowledge
RUN mkdir -p /app/data /app/knowledge && chown tourbot:tourbot /app/data /app/knowledge
VOLUME ["/app/knowledge", "/app/data"]
USER tourbot
# The running bot touches its heartbeat file every 20 s while connected to Discord.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["tourbot", "health", "--max-age", "90"]
ENTRYPOINT ["tourbot"]
CMD ["run"]
