namespace Atom.Bot.Audit;

/// <summary>On start (after the migrations): create the key on first start, start the chain, announce the receipt signer.</summary>
internal sealed class AuditStartup(AuditLog log, ExecutionReceipts receipts, ILogger<AuditStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var head = await log.StartAsync(cancellationToken);
        await receipts.AnnounceSignerAsync(cancellationToken);
        var signer = receipts.Signer;
        var hardware = TrustedHardware.Describe(signer, TrustedHardware.FindTpm());
        Log.Ready(logger, head.KeyId, signer.Signer, signer.KeyId, hardware);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
