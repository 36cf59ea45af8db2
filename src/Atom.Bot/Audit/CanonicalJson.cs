using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atom.Bot.Configuration;

namespace Atom.Bot.Audit;

/// <summary>
/// How a payload becomes the text that is hashed: compact JSON, object keys in ordinal order, every string (keys
/// too) scrubbed of secrets (identifiers such as branches and paths by <see cref="Redaction.RedactField"/>'s rule), and
/// any string longer than <see cref="LargeTextBytes"/> replaced by <c>{"length": bytes, "sha256": hex}</c> of the original text.
/// </summary>
internal static class CanonicalJson
{
    public const int LargeTextBytes = 1024;

    // Payloads are anonymous objects, so reflection-based serialization is needed even where it is off by default (AOT hosts).
    private static readonly JsonSerializerOptions Serializer = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };
    private static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public static string Write(object payload, IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var secretList = secrets as IReadOnlyCollection<string> ?? secrets.ToList();
        var node = JsonSerializer.SerializeToNode(payload, payload.GetType(), Serializer);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Writer))
        {
            WriteNode(writer, node, null, secretList);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteNode(Utf8JsonWriter writer, JsonNode? node, string? field, IReadOnlyCollection<string> secrets)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, name, value) in obj.Select(p => (p.Key, Redaction.Redact(p.Key, secrets), p.Value)).OrderBy(p => p.Item2, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(name);
                    WriteNode(writer, value, key, secrets);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteNode(writer, item, field, secrets);
                }

                writer.WriteEndArray();
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                var text = value.GetValue<string>();
                var bytes = Encoding.UTF8.GetByteCount(text);
                if (bytes > LargeTextBytes)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("length", bytes);
                    writer.WriteString("sha256", Hashing.Sha256(text));
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteStringValue(Redaction.RedactField(field, text, secrets));
                }

                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
