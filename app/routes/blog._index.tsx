import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { allPosts } from "~/content/library.server";
import { formatDay } from "~/site/dates";
import { seoMeta } from "~/site/seo";
import { seo } from "~/site/seo.server";
import { PublicLayout } from "~/ui/public-layout";
import { blogPayload } from "~/content/payloads.server";
import { payload } from "~/validation/payload.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return payload(
    blogPayload,
    {
      seo: seo(request, {
        title: "Blog",
        description:
          "Notes from the team building Atmos Pro: ordered deployments, drift, and running Terraform with Atmos and GitHub Actions.",
      }),
      posts: allPosts().map(({ slug, title, description, author, date }) => ({
        slug,
        title,
        description,
        author,
        date,
      })),
    },
    context,
    { name: "blog._index" },
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  ...seoMeta(data?.seo),
  { tagName: "link", rel: "alternate", type: "application/atom+xml", title: "Atmos Pro blog", href: "/blog/feed.xml" },
];

export default function Blog() {
  const { posts } = useLoaderData<typeof loader>();
  return (
    <PublicLayout>
      <div className="mx-auto max-w-3xl px-4 py-16 sm:px-6">
        <h1 className="text-4xl font-bold tracking-tight text-slate-900">Blog</h1>
        <p className="mt-3 text-lg text-slate-600">
          Notes from the team building Atmos Pro. Follow along with the{" "}
          <a href="/blog/feed.xml" className="font-medium text-indigo-700 underline underline-offset-2">
            Atom feed
          </a>
          .
        </p>
        <ol className="mt-10 space-y-10">
          {posts.map((post) => (
            <li key={post.slug}>
              <article>
                <h2 className="text-2xl font-semibold text-slate-900">
                  <Link to={`/blog/${post.slug}`} className="hover:text-indigo-700">
                    {post.title}
                  </Link>
                </h2>
                <p className="mt-1 text-sm text-slate-600">
                  <time dateTime={post.date}>{formatDay(post.date)}</time> · {post.author}
                </p>
                <p className="mt-3 text-slate-700">{post.description}</p>
              </article>
            </li>
          ))}
        </ol>
      </div>
    </PublicLayout>
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
