import Fastify from "fastify";

const app = Fastify();
app.get("/health", async () => ({ ok: true }));
app.listen({ port: Number(process.env.PORT), host: "0.0.0.0" });
