using System.Security.Cryptography;
using System.Text;

namespace Atom.Bot.Audit;

/// <summary>SHA-256 in lower-case hex: how large texts enter the audit log.</summary>
public static class Hashing
{
    public static string Sha256(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text ?? "")));
}
