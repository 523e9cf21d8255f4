using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;

namespace KubeRescue.Lab.ControlPlane.ControllerManager.Support;

/// <summary>
/// controller.ComputeHash in shape: FNV-32a over the pod template (plus the collision count, little-endian), the
/// decimal value encoded with apimachinery's SafeEncodeString alphabet. Upstream hashes Go's printed form of the
/// struct, so the values differ from a real cluster's; their form and their stability are the same.
/// </summary>
public static class TemplateHash
{
    const string Alphanumerics = "bcdfghjklmnpqrstvwxz2456789";

    public static string Compute(V1PodTemplateSpec template, int? collisionCount)
    {
        uint hash = 2166136261;
        void Write(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes) hash = (hash ^ b) * 16777619;
        }
        Write(Encoding.UTF8.GetBytes(KubernetesJson.Serialize(template)));
        if (collisionCount is { } c) Write(BitConverter.IsLittleEndian ? BitConverter.GetBytes((uint)c) : [.. BitConverter.GetBytes((uint)c).Reverse()]);
        var digits = hash.ToString(CultureInfo.InvariantCulture);
        return string.Create(digits.Length, digits, (span, s) =>
        {
            for (var i = 0; i < s.Length; i++) span[i] = Alphanumerics[s[i] % Alphanumerics.Length];
        });
    }
}
