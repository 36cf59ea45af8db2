namespace Atom.Bot.Audit;

/// <summary>Detects hardware that could hold the receipt key (docs/audit.md, "Hardware receipt signers").</summary>
public static class TrustedHardware
{
    /// <summary>The Linux TPM 2.0 device nodes: the kernel's resource manager first, then the raw device.</summary>
    public static readonly IReadOnlyList<string> TpmDevices = ["/dev/tpmrm0", "/dev/tpm0"];

    public static string? FindTpm(IEnumerable<string>? candidates = null) =>
        OperatingSystem.IsLinux() || candidates is not null
            ? (candidates ?? TpmDevices).FirstOrDefault(File.Exists)
            : null;

    /// <summary>One line for <c>atom audit public-key</c>, the endpoint and the start-up log.</summary>
    public static string Describe(IReceiptSigner signer, string? tpmDevice)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var hardware = tpmDevice is null
            ? "no TPM 2.0 device found"
            : $"TPM 2.0 device {tpmDevice} present";
        return signer.Signer == SoftwareReceiptSigner.Name
            ? $"{hardware}; receipts are signed in software ({signer.Signer})"
            : $"{hardware}; receipts are signed by {signer.Signer}";
    }
}
