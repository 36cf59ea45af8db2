using Atom.Bot.Configuration;
using Atom.Bot.Git;

namespace Atom.Bot.Retrieval;

public static class RetrievalServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="RepositoryRetrieval"/>, with an <see cref="EmbeddingsRanker"/> when <c>ATOM_EMBEDDINGS_BASE_URL</c> is
    /// set. The embeddings client retries by itself (429 and 5xx), so its HttpClient has no retry handler.
    /// </summary>
    public static IServiceCollection AddRetrieval(this IServiceCollection services, AtomOptions options)
    {
        var retrieval = RetrievalOptions.From(options);
        services.AddSingleton(retrieval);
        if (retrieval.HasEmbeddings)
        {
            // One long-lived client; connections are recycled so that a DNS change of the endpoint is picked up.
            var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(60) };
            services.AddSingleton(new EmbeddingsClient(http, retrieval));
            services.AddSingleton<EmbeddingsRanker>();
            services.AddSingleton(sp => new RepositoryRetrieval(retrieval, sp.GetRequiredService<GitWorkspace>(),
                sp.GetRequiredService<ILogger<RepositoryRetrieval>>(), sp.GetRequiredService<EmbeddingsRanker>()));
        }
        else
        {
            services.AddSingleton(sp => new RepositoryRetrieval(retrieval, sp.GetRequiredService<GitWorkspace>(), sp.GetRequiredService<ILogger<RepositoryRetrieval>>()));
        }

        return services;
    }
}
