using Atom.Bot.Configuration;

namespace Atom.Bot.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>The SQLite state store, migrated before any other hosted service starts.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.DataDir);
        services.AddSingleton(new AtomDatabase(options.DatabasePath));
        services.AddHostedService<StorageMigrator>();
        return services;
    }
}
