var builder = WebApplication.CreateBuilder(args);
var seed = builder.Configuration["seed"] ?? "empty";
var app = builder.Build();
var entries = new List<string> { seed };
app.MapGet("/entries", () => entries);
app.MapPost("/entries", (string e) => { entries.Add(e); return Results.Ok(entries.Count); });
app.Run();
