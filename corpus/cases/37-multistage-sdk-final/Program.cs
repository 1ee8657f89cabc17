var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/stock", () => 42);
app.Run();
