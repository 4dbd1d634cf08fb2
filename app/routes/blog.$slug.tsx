import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { useLoaderData } from "@remix-run/react";
import { findPost } from "~/content/library.server";
import { formatDay } from "~/site/dates";
import { seoMeta } from "~/site/seo";
import { seo } from "~/site/seo.server";
import { EntryArticle } from "~/ui/entry-article";
import { postPayload } from "~/content/payloads.server";
import { payload } from "~/validation/payload.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const post = findPost(params.slug ?? "");
  if (!post)
    throw json({ message: "There is no blog post at this address. The blog lists every post." }, { status: 404 });
  return payload(
    postPayload,
    {
      seo: seo(request, {
        title: post.title,
        description: post.description,
        type: "article",
        publishedTime: post.date,
      }),
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
    <EntryArticle
      back={{ to: "/blog", label: "← All posts" }}
      title={post.title}
      below={
        <>
          By {post.author} · <time dateTime={post.date}>{formatDay(post.date)}</time>
        </>
      }
      lead={post.description}
      html={post.html}
    />
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
