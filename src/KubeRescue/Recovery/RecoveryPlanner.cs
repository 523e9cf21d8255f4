using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeRescue.Diagnosis;
using KubeRescue.Placement;
using KubeRescue.Rendering;

namespace KubeRescue.Recovery;

/// <summary>
/// Diagnoses, decides and plans, changing nothing: a recovery that cannot succeed or is not needed is refused
/// here, before anything is created.
/// </summary>
public static class RecoveryPlanner
{
    public static async Task<RecoveryPlan> PlanAsync(IKubernetes client, RecoveryOptions options, CancellationToken ct)
    {
        // Every read here is independent of the others until a component is judged: they run together, so that
        // planning costs a few round trips, not the sum of a few dozen (the first ones also wait for the connection).
        var pinnedRead = options.Node is { } nodeName ? ReadPinnedAsync(client, nodeName, ct) : Task.FromResult<V1Node?>(null);
        var diagnosed = await Task.WhenAll(ControlPlaneComponent.All.Select(c => ControlPlaneDiagnoser.DiagnoseAsync(client, c, options.Clock, ct)));
        var statuses = ControlPlaneComponent.All.Zip(diagnosed).ToDictionary(x => x.First, x => x.Second);
        var pinned = await pinnedRead;

        var considered = await Task.WhenAll(ControlPlaneComponent.All.Where(options.Components.Contains)
            .Select(component => ConsiderAsync(client, component, statuses[component], pinned, options, ct)));
        var plans = considered.Select(c => c.Plan).OfType<ComponentPlan>().ToList();
        var notes = considered.SelectMany(c => c.Notes).ToList();
        if (plans.Count == 0)
            throw new RecoveryRefusedException($"nothing to recover: {string.Join("; ", notes)}. Use --force to run a rescue anyway.");

        // A rescue scheduler alone creates no pod, and a rescue controller-manager's pods need a scheduler (field guide §2).
        foreach (var other in ControlPlaneComponent.All.Where(c => !plans.Any(p => p.Component == c)))
            if (statuses[other].Verdict == Verdict.Down)
                throw new RecoveryRefusedException(
                    $"{other.Name} is down too ({statuses[other].Summary}): rescuing {string.Join(" and ", plans.Select(p => p.Component.Name))} alone " +
                    "cannot bring the control plane back. Run: kube-rescue recover all");

        if (await AccessCheck.DeniedAsync(client, AccessCheck.Needs(plans, options.Rollback), ct) is { Count: > 0 } denied)
            throw new RecoveryRefusedException("the recovery needs permissions this user lacks, so nothing was changed. Missing RBAC rules:\n" +
                string.Join("\n", denied.Select(d => $"  {d}")) + "\ndocs/rbac.yaml has every rule kube-rescue needs");

        return new RecoveryPlan(plans, Steps(plans), notes);
    }

    static async Task<V1Node?> ReadPinnedAsync(IKubernetes client, string nodeName, CancellationToken ct)
    {
        try { return await client.CoreV1.ReadNodeAsync(nodeName, cancellationToken: ct); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new RecoveryRefusedException($"node {nodeName} does not exist");
        }
    }

    /// <summary>One component's plan, or none (with a note) when it is healthy and no earlier run left a rescue pod.</summary>
    static async Task<(ComponentPlan? Plan, IReadOnlyList<string> Notes)> ConsiderAsync(IKubernetes client, ControlPlaneComponent component, ComponentStatus status,
        V1Node? pinned, RecoveryOptions options, CancellationToken ct)
    {
        var notes = new List<string>();
        var existing = await ExistingRescueAsync(client, component, ct);
        if (status.Verdict == Verdict.Healthy && existing is null && !options.Force)
        {
            notes.Add($"{component.Name} is healthy: {status.Summary}");
            return (null, notes);
        }
        return (await PlanComponentAsync(client, component, status, existing, pinned, options, notes, ct), notes);
    }

    static async Task<ComponentPlan> PlanComponentAsync(IKubernetes client, ControlPlaneComponent component, ComponentStatus status, V1Pod? existing,
        V1Node? pinned, RecoveryOptions options, List<string> notes, CancellationToken ct)
    {
        // Read together; a refusal about the workload still comes before one about the source.
        var workloadRead = Workload.ReadAsync(client, component, ct);
        var sourceRead = ResolveSourceAsync(client, component, options.Source, ct);
        await Task.WhenAll(workloadRead, sourceRead);
        var (workload, source) = (await workloadRead, await sourceRead);

        // A rescue pod from another template than the workload's own (an older revision, last-good) brings back the
        // pods the older ReplicaSets still want; the workload's own template stays the bad one unless --rollback.
        var differs = !SameTemplate(source.Template, workload.Template);
        if (differs && options.Rollback && workload.Kind != "Deployment")
            throw new RecoveryRefusedException($"--rollback rolls back Deployments only; {workload.Description} is a {workload.Kind}");
        if (differs && !options.Rollback)
            notes.Add($"the rescue pod runs {source.Description}{(source.Revision is null ? "" : $" revision {source.Revision}")}, but {workload.Description}'s own " +
                $"template (revision {workload.Revision ?? "?"}) differs: its pods of that revision will keep failing. Add --rollback to roll it back to the source.");
        if (options.Rollback && !differs) notes.Add($"{workload.Description} already has the source's template: no rollback needed");

        // Rank masters with the pod before a node is chosen (so one whose NoExecute taints need no override comes
        // first); each try renders it for its own node.
        var probe = RescuePodRenderer.Draft(component, source);
        var ranked = await MasterPlacement.RankAsync(client, component, probe, ct);
        IReadOnlyList<NodeCandidate> candidates;
        if (pinned is not null)
        {
            var candidate = ranked.FirstOrDefault(c => c.Node.Metadata.Name == pinned.Metadata.Name) ?? new NodeCandidate(pinned, true, ["not a master"], false);
            if (!candidate.Fits) notes.Add($"--node {pinned.Metadata.Name} does not look fit ({string.Join(", ", candidate.Reasons)}); trying it as asked");
            candidates = [candidate];
        }
        else
        {
            candidates = [.. ranked.Where(c => c.Fits)];
            if (ranked.Count == 0 && existing is null)
                throw new RecoveryRefusedException($"the cluster has no masters: no node is labelled {MasterPlacement.MasterLabel} or {MasterPlacement.ControlPlaneLabel}. " +
                    "Name the node to run the rescue pod on with --node.");
            if (candidates.Count == 0 && existing is null)
                throw new RecoveryRefusedException($"no master can run the {component.Name} rescue pod: " +
                    string.Join("; ", ranked.Select(c => $"{c.Node.Metadata.Name}: {string.Join(", ", c.Reasons)}")));
        }
        var pod = candidates.Count > 0 ? RescuePodRenderer.Render(component, source, candidates[0].Node) : probe;
        if (existing is not null) notes.Add($"{component.RescuePodName} exists (on {existing.Spec.NodeName}): an earlier run left it, this one adopts it");
        return new ComponentPlan(component, status, workload, source, differs && options.Rollback, candidates, pod, existing);
    }

    static async Task<RescueSource> ResolveSourceAsync(IKubernetes client, ControlPlaneComponent component, RescueSourceSpec spec, CancellationToken ct)
    {
        try { return await RescueSources.ResolveAsync(client, component, spec, ct); }
        catch (RescueSourceException e) { throw new RecoveryRefusedException(e.Message); }
    }

    /// <summary>The rescue pod an earlier run left; a pod of that name that kube-rescue did not create is never touched.</summary>
    static async Task<V1Pod?> ExistingRescueAsync(IKubernetes client, ControlPlaneComponent component, CancellationToken ct)
    {
        V1Pod pod;
        try { pod = await client.CoreV1.ReadNamespacedPodAsync(component.RescuePodName, component.Namespace, cancellationToken: ct); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return null; }
        if (pod.Metadata.Labels?.TryGetValue(RescueMetadata.ComponentLabel, out var owner) != true || owner != component.Name)
            throw new RecoveryRefusedException(
                $"pod {component.Namespace}/{component.RescuePodName} exists but kube-rescue did not create it (no {RescueMetadata.ComponentLabel}={component.Name} label): " +
                "it is left alone. Remove or rename it, then run again.");
        return pod;
    }

    /// <summary>Templates compared as the deployment controller compares them: the pod-template-hash label aside.</summary>
    public static bool SameTemplate(V1PodTemplateSpec a, V1PodTemplateSpec b) => Canonical(a) == Canonical(b);

    static string Canonical(V1PodTemplateSpec template)
    {
        var copy = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(template));
        copy.Metadata?.Labels?.Remove("pod-template-hash");
        if (copy.Metadata?.Labels is { Count: 0 }) copy.Metadata.Labels = null;
        return KubernetesJson.Serialize(copy);
    }

    /// <summary>
    /// The order of field guide §2: every rescue pod first (a rescue scheduler alone creates nothing), then the
    /// rollbacks, then each component's hand-over, the scheduler's first: its permanent pods must place the
    /// controller-manager's while the rescue controller-manager still runs.
    /// </summary>
    static List<IRecoveryStep> Steps(IReadOnlyList<ComponentPlan> plans)
    {
        var steps = new List<IRecoveryStep>();
        steps.AddRange(plans.Select(p => new EnsureRescuePodStep(p)));
        steps.AddRange(plans.Where(p => p.RollBack).Select(p => new RollBackStep(p)));
        steps.AddRange(plans.Select(p => new AwaitReplacementStep(p)));
        foreach (var p in plans)
        {
            steps.Add(new RemoveRescuePodStep(p));
            steps.Add(new AwaitLeaderStep(p));
        }
        steps.Add(new VerifyStep(plans));
        return steps;
    }
}
