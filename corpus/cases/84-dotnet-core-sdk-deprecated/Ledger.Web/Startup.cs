using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Ledger.Web
{
    public class Startup
    {
        public void Configure(IApplicationBuilder app) =>
            app.Run(ctx => ctx.Response.WriteAsync("ledger"));
    }
}
