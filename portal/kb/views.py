"""Knowledge base on the tenant host (/kb/): browse, read, search, feedback, read-and-confirm,
and the CSM's editing of this tenant's private pages.

Every article comes through ``selectors.article_get``/``article_list`` (visible_to_tenant) and
every page through ``page_get``/``page_list`` (visible_to): a missing and a hidden page are the
same 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal.accounts.access import Access
from portal.accounts.decorators import tenant_access_required

from . import selectors, services
from .forms import FeedbackForm, PageForm
from .search import QUERY_MAX_LENGTH, search_query_normalise


def _article_or_404(request, slug: str):
    article = selectors.article_get(tenant=request.tenant, slug=slug)
    if article is None:
        raise Http404("No such article.")
    return article


def _page_or_404(request, slug: str):
    page = selectors.page_get(access=request.tenant_access, slug=slug)
    if page is None:
        raise Http404("No such page.")
    return page


def _feedback_context(request, *, url: str, article=None, page=None, just_answered=False) -> dict:
    return {
        "feedback_url": url,
        "feedback_current": selectors.feedback_get(
            tenant=request.tenant, user=request.user, article=article, page=page
        ),
        "feedback_thanks": just_answered,
    }


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# --- browse and read -----------------------------------------------------------------------
@tenant_access_required(Access.MEMBER)
def kb_index(request):
    tenant, access = request.tenant, request.tenant_access
    tag = request.GET.get("tag", "").strip().lower()
    context = {
        "tag": tag,
        "categories": [] if tag else selectors.category_list_for_tenant(tenant=tenant),
        "tagged_articles": selectors.article_list(tenant=tenant, tag=tag) if tag else [],
        "pages": selectors.page_list(access=access, tag=tag),
        "can_edit_pages": access >= Access.CSM,
    }
    return render(request, "kb/index.html", context)


@tenant_access_required(Access.MEMBER)
def category_detail(request, slug: str):
    # A category with nothing visible on this tenant does not exist here.
    category = selectors.category_get(tenant=request.tenant, slug=slug)
    if category is None:
        raise Http404("No such category.")
    articles = selectors.article_list(tenant=request.tenant, category=category)
    return render(request, "kb/category.html", {"category": category, "articles": articles})


@tenant_access_required(Access.MEMBER)
def article_detail(request, slug: str):
    article = _article_or_404(request, slug)
    context = {
        "doc": article,
        "kind": "article",
        "section": article.category,
        "confirmed_at": selectors.read_confirmed_at(tenant=request.tenant, user=request.user, article=article),
        "confirm_url": reverse("kb:article_confirm", args=[article.slug]),
        **_feedback_context(request, url=reverse("kb:article_feedback", args=[article.slug]), article=article),
    }
    return render(request, "kb/document.html", context)


@tenant_access_required(Access.MEMBER)
def page_detail(request, slug: str):
    page = _page_or_404(request, slug)
    context = {
        "doc": page,
        "kind": "page",
        "can_edit": request.tenant_access >= Access.CSM,
        "confirmed_at": selectors.read_confirmed_at(tenant=request.tenant, user=request.user, page=page),
        "confirm_url": reverse("kb:page_confirm", args=[page.slug]),
        **_feedback_context(request, url=reverse("kb:page_feedback", args=[page.slug]), page=page),
    }
    return render(request, "kb/document.html", context)


@tenant_access_required(Access.MEMBER)
def search(request):
    raw = request.GET.get("q", "").strip()
    if len(raw) > QUERY_MAX_LENGTH:
        # Refused, not cut: a silently shortened search would answer a question nobody asked.
        error = f"A search is at most {QUERY_MAX_LENGTH} characters; this one has {len(raw):,}."
        context = {"q": raw[:QUERY_MAX_LENGTH], "query": "", "hits": [], "error": error}
        return render(request, "kb/search.html", context, status=400)
    query = search_query_normalise(raw)
    hits = services.search_run(tenant=request.tenant, access=request.tenant_access, query=query) if query else []
    return render(request, "kb/search.html", {"q": raw, "query": query, "hits": hits})


# --- feedback and read-and-confirm ---------------------------------------------------------
def _feedback(request, *, url: str, detail_url: str, record, **doc):
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Answer “yes” or “no” (field “helpful”).")
    try:
        record(tenant=request.tenant, user=request.user, helpful=form.cleaned_data["helpful"], **doc)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    if request.htmx:
        context = _feedback_context(request, url=url, just_answered=True, **doc)
        return render(request, "kb/_feedback.html", context)
    messages.success(request, gettext("Thank you for your feedback."))
    return redirect(detail_url)


@require_POST
@tenant_access_required(Access.MEMBER)
def article_feedback(request, slug: str):
    article = _article_or_404(request, slug)
    return _feedback(
        request,
        url=reverse("kb:article_feedback", args=[slug]),
        detail_url=reverse("kb:article_detail", args=[slug]),
        record=services.article_feedback_record,
        article=article,
    )


@require_POST
@tenant_access_required(Access.MEMBER)
def page_feedback(request, slug: str):
    page = _page_or_404(request, slug)
    return _feedback(
        request,
        url=reverse("kb:page_feedback", args=[slug]),
        detail_url=reverse("kb:page_detail", args=[slug]),
        record=services.page_feedback_record,
        page=page,
    )


@require_POST
@tenant_access_required(Access.MEMBER)
def article_confirm(request, slug: str):
    article = _article_or_404(request, slug)
    services.article_read_confirm(tenant=request.tenant, user=request.user, article_id=article.pk)
    messages.success(request, gettext("Thank you: you confirmed that you read this article."))
    return redirect("kb:article_detail", slug=slug)


@require_POST
@tenant_access_required(Access.MEMBER)
def page_confirm(request, slug: str):
    page = _page_or_404(request, slug)
    try:
        services.article_read_confirm(tenant=request.tenant, user=request.user, page_id=page.pk)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    messages.success(request, gettext("Thank you: you confirmed that you read this page."))
    return redirect("kb:page_detail", slug=slug)


# --- this tenant's pages: CSM editing ------------------------------------------------------
@tenant_access_required(Access.CSM)
def page_manage(request):
    return render(request, "kb/page_manage.html", {"pages": selectors.page_list_for_staff()})


@tenant_access_required(Access.CSM)
def page_create(request):
    form = PageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            page = services.page_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("“%(title)s” saved (%(lower)s).")
                % {"title": page.title, "lower": page.get_status_display().lower()},
            )
            return redirect("kb:page_detail", slug=page.slug)
    status = 400 if form.errors else 200
    return render(request, "kb/page_form.html", {"form": form, "page": None}, status=status)


@tenant_access_required(Access.CSM)
def page_edit(request, slug: str):
    page = _page_or_404(request, slug)
    initial = {
        "title": page.title,
        "slug": page.slug,
        "tags": ", ".join(page.tags),
        "body_markdown": page.body_markdown,
        "status": page.status,
    }
    form = PageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            page = services.page_update(tenant=request.tenant, page=page, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, gettext("“%(title)s” saved.") % {"title": page.title})
            return redirect("kb:page_detail", slug=page.slug)
    status = 400 if form.errors else 200
    return render(request, "kb/page_form.html", {"form": form, "page": page}, status=status)


@tenant_access_required(Access.CSM)
def page_history(request, slug: str):
    page = _page_or_404(request, slug)
    return render(request, "kb/page_history.html", {"page": page, "revisions": page.revisions.all()})
