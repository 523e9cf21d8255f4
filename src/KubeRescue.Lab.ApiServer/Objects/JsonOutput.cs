using System.Text.Encodings.Web;
using System.Text.Json;

namespace KubeRescue.Lab.ApiServer.Objects;

/// <summary>
/// How the lab writes JSON: quotes as \" and apostrophes as is, like Go's encoder, rather than .NET's default
/// \u0022 and \u0027, so messages read the same in raw responses and logs as a real server's.
/// </summary>
public static class JsonOutput
{
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
