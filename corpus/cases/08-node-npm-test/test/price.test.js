const request = require("supertest");
const app = require("../src/server");

test("price", async () => {
  const res = await request(app).get("/price/abc");
  expect(res.body.cents).toBe(1999);
});
