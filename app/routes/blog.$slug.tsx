import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { findPost } from "~/content/library.server";
import { formatDay } from "~/site/dates";
import { seoMeta } from "~/site/seo";
import { seo } from "~/site/seo.server";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { Prose } from "~/ui/prose";
import { PublicLayout } from "~/ui/public-layout";
import { postPayload } from "~/content/payloads.server";
import { payload } from "~/validation/payload.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const post = findPost(params.slug ?? "");
  if (!post) throw json({ message: "There is no blog post at this address. The blog lists every post." }, { status: 404 });
  return payload(
    postPayload,
    {
      seo: seo(request, { title: post.title, description: post.description, type: "article", publishedTime: post.date }),
      title: post.title,
      author: post.author,
      date: post.date,
      description: post.description,
      html: post.html,
    },
    context,
    { name: "blog.$slug", headers: { "Cache-Control": "public, max-age=300" } },
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => seoMeta(data?.seo);

export default function BlogPost() {
  const post = useLoaderData<typeof loader>();
  return (
    <PublicLayout>
      <article className="mx-auto max-w-3xl px-4 py-16 sm:px-6">
        <p className="text-sm">
          <Link to="/blog" className="font-medium text-indigo-700 hover:text-indigo-900">← All posts</Link>
        </p>
        <h1 className="mt-4 text-4xl font-bold tracking-tight text-slate-900">{post.title}</h1>
        <p className="mt-3 text-sm text-slate-600">
          By {post.author} · <time dateTime={post.date}>{formatDay(post.date)}</time>
        </p>
        <p className="mt-6 text-lg text-slate-600">{post.description}</p>
        <Prose html={post.html} className="mt-6" />
      </article>
    </PublicLayout>
  );
}

export function ErrorBoundary() {
  return (
    <PublicLayout>
      <RouteErrorBoundary />
    </PublicLayout>
  );
}
