using System.Security.Cryptography;
using System.Text;

namespace Atom.Bot.Dashboard;

/// <summary>
/// The one gate in front of every operator page (<c>/jobs</c>, <c>/ui</c>, <c>/metrics</c>): each
/// request, loopback included, must carry <c>ATOM_DASHBOARD_TOKEN</c>; without a configured token the pages do not exist.
/// </summary>
/// <remarks>
/// A client proves it holds the token with <c>Authorization: Bearer &lt;token&gt;</c> (curl, Prometheus, a proxy) or,
/// for a browser, which cannot send a header, once with <c>?token=&lt;token&gt;</c>: the answer sets an HttpOnly,
/// SameSite=Strict cookie holding a value derived from the token (never the token itself) and redirects to the same
/// page without the query, so the token does not stay in the address bar or the history. Comparisons are constant-time.
/// A reverse proxy on the same host changes nothing: loopback is not trusted.
/// </remarks>
public sealed class DashboardGate(string? token)
{
    public const string CookieName = "atom_dashboard";
    public const string QueryName = "token";

    private readonly byte[]? _token = string.IsNullOrEmpty(token) ? null : Encoding.UTF8.GetBytes(token);

    /// <summary>Whether the pages exist at all (a token is configured).</summary>
    public bool IsOn => _token is not null;

    /// <summary>Runs <paramref name="page"/> for a request that holds the token; answers 404, 401 or a redirect otherwise.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate page)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(page);
        if (_token is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        if (HasBearer(context.Request) || HasCookie(context.Request))
        {
            return page(context);
        }

        if (context.Request.Query.TryGetValue(QueryName, out var offered) && HttpMethods.IsGet(context.Request.Method) && Matches(offered.ToString()))
        {
            context.Response.Cookies.Append(CookieName, CookieValue(), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                Path = "/",
                IsEssential = true,
            });
            var rest = context.Request.Query.Where(q => q.Key != QueryName).SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)));
            context.Response.Redirect(context.Request.PathBase + context.Request.Path + QueryString.Create(rest));
            return Task.CompletedTask;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    private bool HasBearer(HttpRequest request)
    {
        const string prefix = "Bearer ";
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith(prefix, StringComparison.Ordinal) && Matches(header[prefix.Length..]);
    }

    private bool HasCookie(HttpRequest request) =>
        request.Cookies.TryGetValue(CookieName, out var value)
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(value ?? ""), Encoding.ASCII.GetBytes(CookieValue()));

    private bool Matches(string offered) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(offered), _token);

    // What the browser keeps: an HMAC of a fixed label under the token, so a stolen cookie is not the token (it opens
    // the pages, but cannot be used as a bearer header elsewhere) and changes when the token is rotated.
    private string CookieValue() =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_token!, "atom-dashboard-cookie-v1"u8));
}
