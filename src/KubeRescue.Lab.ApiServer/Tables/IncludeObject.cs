namespace KubeRescue.Lab.ApiServer.Tables;

/// <summary>The includeObject query parameter of a Table request.</summary>
public enum IncludeObject
{
    /// <summary>"None": each row's object is null.</summary>
    None,

    /// <summary>"Object": each row carries the full object.</summary>
    Object,

    /// <summary>"Metadata" (also the default): each row carries a PartialObjectMetadata.</summary>
    Metadata,
}
