from node:20 as build
workdir /app
copy package.json ./
run npm ci
expose 3000
cmd ["node", "server.js"]
