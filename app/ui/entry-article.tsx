import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { Prose } from "~/ui/prose";
import { PublicLayout } from "~/ui/public-layout";

/**
 * One markdown entry of the public site (a blog post, a changelog entry) as a page: the way back to
 * its list, what goes above and below the title, and the rendered markdown.
 */
export function EntryArticle(props: {
  back: { to: string; label: string };
  title: string;
  above?: ReactNode;
  below?: ReactNode;
  lead?: string;
  html: string;
}) {
  return (
    <PublicLayout>
      <article className="mx-auto max-w-3xl px-4 py-16 sm:px-6">
        <p className="text-sm">
          <Link to={props.back.to} className="font-medium text-indigo-700 hover:text-indigo-900">
            {props.back.label}
          </Link>
        </p>
        {props.above ? <p className="mt-4 text-sm text-slate-600">{props.above}</p> : null}
        <h1 className={`${props.above ? "mt-1" : "mt-4"} text-4xl font-bold tracking-tight text-slate-900`}>
          {props.title}
        </h1>
        {props.below ? <p className="mt-3 text-sm text-slate-600">{props.below}</p> : null}
        {props.lead ? <p className="mt-6 text-lg text-slate-600">{props.lead}</p> : null}
        <Prose html={props.html} className="mt-6" />
      </article>
    </PublicLayout>
  );
}
