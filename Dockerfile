# smsbot: a slim image running `smsbot run` as a non-root user, with its data on a volume.
#
# The master keys that encrypt users' API keys do not belong beside the database (a copy of
# the data volume would then hold both the ciphertext and its key): pass them as a secret,
# e.g. `docker run --secret`/compose `secrets:` mounted at /run/secrets/smsbot_master_keys and
# SMSBOT_MASTER_KEYS_FILE pointing there (the default below), or SMSBOT_MASTER_KEYS.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY storage ./storage
COPY locales ./locales
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 smsbot \
    && mkdir -p /data && chown smsbot:smsbot /data
COPY --from=build /install /usr/local
USER smsbot
WORKDIR /home/smsbot
# The provider-webhook receiver (on when SMSBOT_WEBHOOK_SECRET is set) listens on all the
# container's interfaces, so a published port reaches it; 127.0.0.1 would be unreachable.
ENV SMSBOT_DATABASE=/data/smsbot.sqlite3 \
    SMSBOT_MASTER_KEYS_FILE=/run/secrets/smsbot_master_keys \
    SMSBOT_WEBHOOK_LISTEN=0.0.0.0:8090 \
    PYTHONUNBUFFERED=1
EXPOSE 8090
VOLUME ["/data"]
ENTRYPOINT ["smsbot"]
CMD ["run"]
