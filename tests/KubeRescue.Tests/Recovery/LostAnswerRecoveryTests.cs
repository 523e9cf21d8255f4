using k8s;
using KubeRescue.Kube;
using KubeRescue.Lab.Faults;
using KubeRescue.Recovery;

namespace KubeRescue.Tests.Recovery;

/// <summary>
/// The worst a flaky connection does to a write: the API server applies it and the answer is lost, so the client
/// retries something already done. Every write kube-rescue makes must survive that.
/// </summary>
public class LostAnswerRecoveryTests
{
    /// <summary>Lets each write through to the server, then loses the answer to the first write of each kind (method and resource).</summary>
    sealed class LostAnswers : DelegatingHandler
    {
        readonly HashSet<string> _lost = [];

        public IReadOnlyCollection<string> Lost { get { lock (_lost) return [.. _lost.Order()]; } }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            if (request.Method == HttpMethod.Get || !response.IsSuccessStatusCode) return response;
            var segments = request.RequestUri!.AbsolutePath.Trim('/').Split('/');
            var kind = $"{request.Method} {(request.Method == HttpMethod.Post ? segments[^1] : segments[^2])}";
            bool lose;
            lock (_lost) lose = _lost.Add(kind);
            if (!lose) return response;
            response.Dispose();
            throw new HttpRequestException(HttpRequestError.ResponseEnded, $"{kind}: the connection dropped before the answer arrived");
        }
    }

    [Fact]
    public async Task Writes_applied_but_unanswered_are_retried_without_harm()
    {
        await using var lab = await RecoveryScenario.StartAsync();
        await DeletePodsFault.RunAsync(lab.Client, ["kube-scheduler", "kube-controller-manager"], RecoveryScenario.Poll, TimeSpan.FromSeconds(2), _ => { }, CancellationToken.None);
        var lost = new LostAnswers();
        using var client = new k8s.Kubernetes(lab.Cluster.Api.ClientConfiguration(), new RetryHandler(), lost);

        var result = await lab.RecoverAsync(lab.Options(), client: client);

        Assert.True(result.Succeeded, result.Failure + "\n" + lab.Story);
        // The access check, the rescue pods' creation and deletion, the events and the lease release each had an answer lost.
        Assert.Equal(["DELETE pods", "POST events", "POST pods", "POST selfsubjectaccessreviews", "PUT leases"], lost.Lost);
        foreach (var component in ControlPlaneComponent.All)
        {
            await lab.AssertHealthyAsync(component);
            // A retried event that was recorded the first time is not recorded twice.
            var events = await lab.RescueEventsAsync(component.Name);
            Assert.Equal([RescueEvents.Started, RescueEvents.Completed], events.OrderBy(e => e.FirstTimestamp).Select(e => e.Reason));
        }
        Assert.DoesNotContain(lab.Events, e => e.Kind == RecoveryEventKind.Warning);
    }
}
