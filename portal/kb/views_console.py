"""Knowledge base in the vendor console: write and publish global articles, categories, and
see what customers searched for and could not find. CSMs and admins; a CSM never sees an
article naming a customer outside their portfolio (404, as for tenants)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext

from portal.accounts.access import tenants_visible_to
from portal.accounts.decorators import staff_required

from . import selectors, services
from .forms import ArticleForm, CategoryForm
from .models import Category, DocumentStatus


def _article_or_404(request, pk: int):
    article = selectors.article_get_for_staff(viewer=request.user, pk=pk)
    if article is None:
        raise Http404("No such article.")
    return article


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@staff_required()
def article_list(request):
    status = request.GET.get("status", "")
    status = status if status in DocumentStatus.values else ""
    category = Category.objects.filter(slug=request.GET.get("category", "")).first()
    context = {
        "articles": selectors.article_list_for_staff(viewer=request.user, status=status, category=category),
        "categories": Category.objects.all(),
        "statuses": DocumentStatus.choices,
        "filters": {"status": status, "category": category.slug if category else ""},
    }
    return render(request, "console/kb/article_list.html", context)


@staff_required()
def article_create(request):
    form = ArticleForm(request.POST or None, user=request.user)
    if not Category.objects.exists():
        messages.error(request, gettext("Create a category first: every article belongs to one."))
        return redirect("kb_console:category_list")
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("“%(title)s” saved (%(lower)s).")
                % {"title": article.title, "lower": article.get_status_display().lower()},
            )
            return redirect("kb_console:article_detail", pk=article.pk)
    status = 400 if form.errors else 200
    return render(request, "console/kb/article_form.html", {"form": form, "article": None}, status=status)


@staff_required()
def article_detail(request, pk: int):
    article = _article_or_404(request, pk)
    context = {
        "article": article,
        "revisions": article.revisions.all(),
        "feedback_by_tenant": selectors.article_feedback_list(article=article, viewer=request.user),
    }
    return render(request, "console/kb/article_detail.html", context)


@staff_required()
def article_edit(request, pk: int):
    article = _article_or_404(request, pk)
    initial = {
        "title": article.title,
        "slug": article.slug,
        "category": article.category,
        "tags": ", ".join(article.tags),
        "body_markdown": article.body_markdown,
        "status": article.status,
        "visibility": article.visibility,
        "tiers": article.tiers,
        "tenants": list(article.tenants.all()),
    }
    form = ArticleForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_update(article=article, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, gettext("“%(title)s” saved.") % {"title": article.title})
            return redirect("kb_console:article_detail", pk=article.pk)
    status = 400 if form.errors else 200
    return render(request, "console/kb/article_form.html", {"form": form, "article": article}, status=status)


@staff_required()
def revision_detail(request, pk: int, number: int):
    article = _article_or_404(request, pk)
    revision = get_object_or_404(article.revisions, number=number)
    return render(request, "console/kb/revision_detail.html", {"article": article, "revision": revision})


@staff_required()
def category_list(request):
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.category_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, gettext("Category “%(name)s” created.") % {"name": category.name})
            return redirect("kb_console:category_list")
    status = 400 if form.errors else 200
    context = {"form": form, "categories": Category.objects.all()}
    return render(request, "console/kb/category_list.html", context, status=status)


@staff_required()
def search_misses(request):
    tenants = tenants_visible_to(request.user)
    tenant = tenants.filter(slug=request.GET.get("tenant", "")).first()
    context = {
        "misses": selectors.search_miss_list(viewer=request.user, tenant=tenant)[:200],
        "tenants": tenants,
        "selected": tenant.slug if tenant else "",
    }
    return render(request, "console/kb/search_misses.html", context)
