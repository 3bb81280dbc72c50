"""The citizen's store of papers (Decree 45/2020 Art. 16; issue 17): see, download, delete."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.forms.admin import ConfirmForm
from app.i18n import say
from app.services import citizen_store
from app.services.citizen_store import StoreError
from app.web import send_stored_paper

bp = Blueprint("store", __name__)


def _paper(paper_id: int):
    if not current_user.is_citizen:
        abort(403)
    try:
        return citizen_store.get(current_user, paper_id)
    except StoreError as error:
        abort(error.status)


@bp.get("/kho-giay-to")
@login_required
def papers():
    if not current_user.is_citizen:
        abort(403)
    mine = citizen_store.papers(current_user)
    return render_template("store/papers.html", papers=mine, in_use={p.id for p in mine if citizen_store.in_use(p)})


@bp.get("/kho-giay-to/<int:paper_id>/tai-ve")
@login_required
def download(paper_id: int):
    return send_stored_paper(_paper(paper_id))


@bp.route("/kho-giay-to/<int:paper_id>/xoa", methods=["GET", "POST"])
@login_required
def delete(paper_id: int):
    paper = _paper(paper_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            citizen_store.delete(current_user, paper.id)
        except StoreError as error:
            flash(say(error.message), "error")
        else:
            flash(_("Đã xóa giấy tờ khỏi kho."), "success")
        return redirect(url_for("store.papers"))
    return render_template("store/delete.html", paper=paper, form=form, in_use=citizen_store.in_use(paper))
