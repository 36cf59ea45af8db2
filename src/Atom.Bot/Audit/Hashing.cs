using System.Security.Cryptography;
using System.Text;

namespace Atom.Bot.Audit;

/// <summary>SHA-256 in lower-case hex: how large texts and outputs enter the audit log.</summary>
public static class Hashing
{
    public static string Sha256(string text) => Sha256(Encoding.UTF8.GetBytes(text ?? ""));

    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
