using System.Net;
using System.Security.Cryptography;
using System.Text;
using Hangfire.Dashboard;

namespace Atom.Bot.Jobs;

/// <summary>The <c>/jobs</c> dashboard: local requests always; others only with <c>Authorization: Bearer ATOM_DASHBOARD_TOKEN</c>.</summary>
public sealed class DashboardAuthorization(string? token) : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.GetHttpContext();
        var remote = http.Connection.RemoteIpAddress;
        if (remote is null || IPAddress.IsLoopback(remote))
        {
            return true;
        }

        var header = http.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        return token is not null
            && header.StartsWith(prefix, StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[prefix.Length..]), Encoding.UTF8.GetBytes(token));
    }
}
