namespace Atom.Bot.Storage;

/// <summary>Applies migrations at start; registered first so that everything after it sees the current schema.</summary>
internal sealed class StorageMigrator(AtomDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
