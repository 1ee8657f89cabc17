var app = WebApplication.CreateBuilder(args).Build();
var notes = new List<string>();
app.MapGet("/notes", () => notes);
app.MapPost("/notes", (string text) => { notes.Add(text); return Results.Created("/notes", text); });
app.Run();
