var app = WebApplication.CreateBuilder(args).Build();
app.MapPost("/files/{name}", async (string name, HttpRequest req) =>
{
    await using var f = File.Create(Path.Combine("/app/data", name));
    await req.Body.CopyToAsync(f);
    return Results.Created($"/files/{name}", null);
});
app.Run();
