var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/", () => app.Environment.EnvironmentName);
app.Run();
