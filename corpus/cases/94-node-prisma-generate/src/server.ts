import express from "express";
import { PrismaClient } from "@prisma/client";

const prisma = new PrismaClient();
const app = express();
app.get("/orders", async (_req, res) => res.json(await prisma.order.findMany()));
app.listen(8080);
