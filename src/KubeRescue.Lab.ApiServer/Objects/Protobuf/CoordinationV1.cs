using static KubeRescue.Lab.ApiServer.Objects.Protobuf.Apimachinery;
using static KubeRescue.Lab.ApiServer.Objects.Protobuf.Field;

namespace KubeRescue.Lab.ApiServer.Objects.Protobuf;

/// <summary>k8s.io/api coordination/v1 messages, numbered as in its generated.proto: the Leases of Go leader election.</summary>
public static class CoordinationV1
{
    const string Coordination = "k8s.io.api.coordination.v1.";

    public static readonly ProtoMessage LeaseSpec = new(Coordination + "LeaseSpec",
        Str(1, "holderIdentity", Zero.Keep), Int32(2, "leaseDurationSeconds", Zero.Keep), Msg(3, "acquireTime", MicroTime),
        Msg(4, "renewTime", MicroTime), Int32(5, "leaseTransitions", Zero.Keep), Str(6, "strategy", Zero.Keep),
        Str(7, "preferredHolder", Zero.Keep));

    public static readonly ProtoMessage Lease = new(Coordination + "Lease", Msg(1, "metadata", ObjectMeta), Msg(2, "spec", LeaseSpec));
}
