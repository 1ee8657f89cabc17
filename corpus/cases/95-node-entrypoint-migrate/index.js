const fastify = require("fastify")();
const { PrismaClient } = require("@prisma/client");
const prisma = new PrismaClient();
fastify.get("/items", () => prisma.item.findMany());
fastify.listen({ port: 3000, host: "0.0.0.0" });
