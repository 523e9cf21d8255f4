namespace KubeRescue.Tests;

public class ControlPlaneComponentTests
{
    [Theory]
    [InlineData("scheduler", "kube-scheduler")]
    [InlineData("kube-scheduler", "kube-scheduler")]
    [InlineData("Controller-Manager", "kube-controller-manager")]
    [InlineData("kube-controller-manager", "kube-controller-manager")]
    public void Components_are_found_by_short_or_full_name(string name, string expected) =>
        Assert.Equal(expected, ControlPlaneComponent.Find(name)?.Name);

    [Theory]
    [InlineData("etcd")]
    [InlineData("")]
    [InlineData("kube-scheduler-rescue")]
    public void Anything_else_is_not_a_component(string name) => Assert.Null(ControlPlaneComponent.Find(name));

    [Fact]
    public void The_scheduler_is_handed_over_first_and_names_follow_the_component() =>
        Assert.Equal(["kube-scheduler-rescue", "kube-controller-manager-rescue"], ControlPlaneComponent.All.Select(c => c.RescuePodName));
}
