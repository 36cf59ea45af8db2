using Atom.Bot.Configuration;

namespace Atom.Bot.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>The state store (SQLite in the data directory, or PostgreSQL with <c>ATOM_DATABASE</c>), migrated before any other hosted service starts.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.DataDir);
        services.AddSingleton(_ => AtomDatabase.For(options)); // a factory, so that the container disposes it (and its PostgreSQL pool)
        services.AddHostedService<StorageMigrator>();
        services.AddSingleton<InstanceRegistry>();
        services.AddHostedService(provider => provider.GetRequiredService<InstanceRegistry>());
        return services;
    }
}
