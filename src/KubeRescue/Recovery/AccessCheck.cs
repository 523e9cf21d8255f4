using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeRescue.Recovery;

/// <summary>
/// Before a recovery changes anything: may this user make every change it will make? Each is asked of the API
/// server itself (a SelfSubjectAccessReview, what <c>kubectl auth can-i</c> asks, which every authenticated user may
/// ask by default), so that a missing RBAC rule refuses the recovery up front, naming the rule, rather than
/// stopping it halfway. A server that will not answer the question leaves the check to the requests themselves.
/// </summary>
public static class AccessCheck
{
    /// <summary>One change the plan makes, as an RBAC rule grants it.</summary>
    public sealed record Need(string Verb, string Group, string Resource, string Namespace, string? Name, string Why)
    {
        public override string ToString() =>
            $"apiGroups: [\"{Group}\"], resources: [{Resource}]{(Name is null ? "" : $", resourceNames: [{Name}]")}, verbs: [{Verb}] in namespace {Namespace} ({Why})";
    }

    /// <summary>The writes and watches the plan's steps make, per component.</summary>
    public static IReadOnlyList<Need> Needs(IEnumerable<ComponentPlan> plans, bool rollback) =>
    [
        .. plans.SelectMany(p => new List<Need>
        {
            new("create", "", "pods", p.Component.Namespace, null, "the rescue pod"),
            new("delete", "", "pods", p.Component.Namespace, p.Component.RescuePodName, "removing the rescue pod"),
            new("watch", "", "pods", p.Component.Namespace, null, "following the pods"),
            new("update", "coordination.k8s.io", "leases", p.Component.Namespace, p.Component.LeaseName, "releasing a lease whose holder is gone"),
            new("watch", "coordination.k8s.io", "leases", p.Component.Namespace, p.Component.LeaseName, "waiting for a leader"),
            new("create", "", "events", p.Workload.Namespace, null, "recording the rescue on the Deployment"),
        }.Concat(rollback ? [new Need("patch", "apps", "deployments", p.Workload.Namespace, p.Workload.Name, "--rollback")] : [])),
    ];

    /// <summary>The needs the server says this user is denied; empty when all are allowed or the server cannot say.</summary>
    public static async Task<IReadOnlyList<Need>> DeniedAsync(IKubernetes client, IReadOnlyList<Need> needs, CancellationToken ct)
    {
        try
        {
            var answers = await Task.WhenAll(needs.Select(n => client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
            {
                Spec = new V1SelfSubjectAccessReviewSpec
                {
                    ResourceAttributes = new V1ResourceAttributes { Verb = n.Verb, Group = n.Group, Resource = n.Resource, NamespaceProperty = n.Namespace, Name = n.Name },
                },
            }, cancellationToken: ct)));
            return [.. needs.Zip(answers).Where(x => x.Second.Status?.Allowed != true).Select(x => x.First)];
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
        {
            // Not allowed to ask (system:basic-user unbound) or not served: the requests will say for themselves.
            return [];
        }
    }
}
