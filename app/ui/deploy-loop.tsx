/**
 * The product in one picture: pull request → affected stacks → dispatch → results, looping until
 * every affected instance has reported. An ordered list (what a screen reader reads) drawn as a
 * flow, and a small dependency graph of waves as an SVG with a text alternative.
 */
const STEPS = [
  { title: "Pull request", body: "A change to your stacks opens, updates or merges a pull request." },
  {
    title: "Affected stacks",
    body: "Your workflow runs atmos describe affected --upload: every changed instance and its dependents.",
  },
  {
    title: "Dispatch",
    body: "Atmos Pro starts your plan or apply workflows through the GitHub App, one wave at a time.",
  },
  { title: "Results", body: "Each run reports its exit code. Dependents start once what they need has succeeded." },
];

export function DeployLoop() {
  return (
    <figure aria-labelledby="deploy-loop-caption">
      <ol className="grid gap-4 md:grid-cols-4">
        {STEPS.map((step, i) => (
          <li key={step.title} className="relative rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <span
              className="flex h-7 w-7 items-center justify-center rounded-full bg-indigo-600 text-sm font-semibold text-white"
              aria-hidden="true"
            >
              {i + 1}
            </span>
            <h3 className="mt-3 font-semibold text-slate-900">{step.title}</h3>
            <p className="mt-1 text-sm text-slate-600">{step.body}</p>
            {i < STEPS.length - 1 ? (
              <span
                aria-hidden="true"
                className="absolute -right-4 top-1/2 hidden -translate-y-1/2 text-2xl text-indigo-400 md:block"
              >
                →
              </span>
            ) : null}
          </li>
        ))}
      </ol>
      <div
        aria-hidden="true"
        className="mx-auto mt-3 hidden h-6 w-1/2 rounded-b-2xl border-x-2 border-b-2 border-dashed border-indigo-300 md:ml-[62.5%] md:block md:w-1/4"
      />
      <figcaption id="deploy-loop-caption" className="mt-3 text-sm text-slate-600 md:text-center">
        Steps 3 and 4 repeat, wave after wave, until every affected instance has a result or something it needed failed.
      </figcaption>
    </figure>
  );
}

const NODES = [
  { id: "vpc", label: "vpc", x: 20, y: 70, wave: 1 },
  { id: "eks", label: "eks/cluster", x: 190, y: 70, wave: 2 },
  { id: "karpenter", label: "eks/karpenter", x: 380, y: 20, wave: 3 },
  { id: "alb", label: "alb/public", x: 380, y: 120, wave: 3 },
] as const;

export function WavesGraph() {
  return (
    <svg role="img" aria-labelledby="waves-title waves-desc" viewBox="0 0 540 170" className="h-auto w-full max-w-xl">
      <title id="waves-title">Dispatch order for a change to the VPC</title>
      <desc id="waves-desc">
        Wave 1 applies vpc. Wave 2 applies eks/cluster, which depends on vpc. Wave 3 applies eks/karpenter and
        alb/public in parallel; both depend on eks/cluster.
      </desc>
      <defs>
        <marker
          id="waves-arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path d="M0 0 10 5 0 10z" fill="#6366f1" />
        </marker>
      </defs>
      <g stroke="#6366f1" strokeWidth="2" fill="none" markerEnd="url(#waves-arrow)">
        <path d="M150 90 H185" />
        <path d="M340 80 C360 70 360 45 375 42" />
        <path d="M340 100 C360 110 360 135 375 140" />
      </g>
      {NODES.map((node) => (
        <g key={node.id}>
          <rect
            x={node.x}
            y={node.y}
            width={node.id === "vpc" ? 130 : 150}
            height="40"
            rx="8"
            fill="#eef2ff"
            stroke="#4f46e5"
          />
          <text x={node.x + 12} y={node.y + 25} fontSize="14" fontFamily="ui-monospace, monospace" fill="#1e1b4b">
            {node.label}
          </text>
          <text x={node.x} y={node.y - 6} fontSize="11" fill="#475569">
            Wave {node.wave}
          </text>
        </g>
      ))}
    </svg>
  );
}
