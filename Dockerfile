# One image for every role: `allears api`, `allears worker`, `allears crawler` (or `allears start`).
FROM node:20-bookworm-slim

# Build tools for better-sqlite3 when no prebuilt binary matches; Chromium for sites that need JavaScript.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ chromium ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .

ENV NODE_ENV=production \
    ALLEARS_HOST=0.0.0.0 \
    ALLEARS_DATA_DIR=/data \
    ALLEARS_CHROMIUM_PATH=/usr/bin/chromium
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
ENTRYPOINT ["node", "cli/bin.js"]
CMD ["start"]
