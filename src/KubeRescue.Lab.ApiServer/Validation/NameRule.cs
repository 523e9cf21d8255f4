namespace KubeRescue.Lab.ApiServer.Validation;

/// <summary>How a kind's metadata.name (and generateName prefix) is validated upstream.</summary>
public enum NameRule
{
    /// <summary>RFC 1123 subdomain, up to 253 characters: most kinds (pods, deployments, nodes, secrets, ...).</summary>
    DnsSubdomain,

    /// <summary>RFC 1123 label, up to 63 characters: namespaces.</summary>
    DnsLabel,

    /// <summary>RFC 1035 label (must start with a letter), up to 63 characters: services.</summary>
    Dns1035Label,

    /// <summary>Anything usable as a URL path segment: not "." or "..", no "/" or "%" (e.g. RBAC roles).</summary>
    PathSegment,
}
