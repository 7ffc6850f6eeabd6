# tourbot: a small image that runs the Discord bot with the shipped knowledge inside.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TOURBOT_KNOWLEDGE_DIR=/app/knowledge \
    TOURBOT_DATABASE=/app/data/tourbot.sqlite3
RUN useradd --create-home --uid 10001 tourbot
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
WORKDIR /app
COPY --chown=tourbot:tourbot knowledge ./knowledge
RUN mkdir -p /app/data && chown tourbot:tourbot /app/data
USER tourbot
# The knowledge must load and answer offline; a broken image fails its health check.
HEALTHCHECK --interval=60s --timeout=10s --start-period=20s --retries=3 \
    CMD ["tourbot", "check"]
ENTRYPOINT ["tourbot"]
CMD ["run"]
