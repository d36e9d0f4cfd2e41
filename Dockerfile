# smsbot: a slim image running `smsbot run` as a non-root user, with its data on a volume.
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
ENV SMSBOT_DATABASE=/data/smsbot.sqlite3 \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
ENTRYPOINT ["smsbot"]
CMD ["run"]
