"""Instructors who differ and their quarterly reviews (S7): every instructor is
reviewed each quarter from the quarter after hire, history included, so a run
of any length has reviews; feedback tells instructors apart and comments fit
the rating."""
import datetime as dt
from collections import defaultdict

import pytest
from django.db import connection

from fitness.quality.report import run_checks
from fitness.seeding.classes_sim import COMMENTS_BY_RATING
from fitness.seeding.reviews_sim import quarter_of, review_month
from fitness.seeding.run import seed_ods
from staff.choices import INSTRUCTOR_TITLES
from staff.models import InstructorFeedback, InstructorPerformance, Staff

END = dt.date(2025, 3, 12)

pytestmark = pytest.mark.django_db


def rows(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def reviews_by_instructor():
    found = defaultdict(list)
    for review in InstructorPerformance.objects.order_by("evaluation_date", "performance_id"):
        found[review.instructor_id].append(review.evaluation_date)
    return found


def test_review_month_is_one_month_of_each_quarter():
    for index in range(6):
        months = [review_month(index, quarter) for quarter in range(2024 * 4, 2024 * 4 + 4)]
        assert [quarter_of(day) for day in months] == list(range(2024 * 4, 2024 * 4 + 4))
        assert all(day.day == 1 for day in months)


def test_a_week_long_run_reviews_every_instructor_each_quarter_since_hire():
    seed_ods(days=7, seed=3, profile="small", end_date=END)
    reviews = reviews_by_instructor()
    instructors = Staff.objects.filter(job_title__in=INSTRUCTOR_TITLES)
    assert instructors.exists()
    for instructor in instructors:
        last_day = min(instructor.termination_date or END, END - dt.timedelta(days=1))
        if quarter_of(last_day) - 1 <= quarter_of(instructor.hire_date):
            continue
        quarters = [quarter_of(day) for day in reviews[instructor.staff_id]]
        assert quarters[0] == quarter_of(instructor.hire_date) + 1, instructor.staff_id
        assert quarters == list(range(quarters[0], quarters[0] + len(quarters))), instructor.staff_id
        assert quarters[-1] >= quarter_of(last_day) - 1, instructor.staff_id
    assert {c["id"]: c["count"] for c in run_checks(save=False, profile=False, only="S7")["checks"]} == {"S7": 0}


def test_a_missing_quarter_breaks_s7():
    seed_ods(days=7, seed=3, profile="small", end_date=END)
    instructor, days = max(reviews_by_instructor().items(), key=lambda item: len(item[1]))
    InstructorPerformance.objects.filter(instructor_id=instructor, evaluation_date=days[len(days) // 2]).delete()
    report = run_checks(save=False, profile=False, only="S7")
    assert report["checks"][0]["count"] == 1


def test_reviews_inside_the_history_count_what_was_taught():
    seed_ods(days=75, seed=5, profile="small", end_date=END)
    inside = InstructorPerformance.objects.filter(evaluation_date__gte=END - dt.timedelta(days=75 - 30))
    assert inside.exists()
    assert {c["id"]: c["count"] for c in run_checks(save=False, profile=False, only="S7")["checks"]} == {"S7": 0}


def test_instructors_differ_and_comments_fit_the_rating():
    # Clubs of 1,000 members run a dozen classes a week (classes_sim.weekly_classes): enough ratings to compare.
    seed_ods(days=45, seed=9, end_date=END, members=5000)
    means = [mean for _, count, mean in rows(
        "SELECT instructorid, COUNT(*), AVG(overallrating) FROM instructorfeedback GROUP BY instructorid") if count >= 15]
    assert len(means) >= 5
    assert max(means) - min(means) >= 0.5
    assert {rating for (rating,) in rows("SELECT DISTINCT overallrating FROM instructorfeedback")} == {1, 2, 3, 4, 5}
    for feedback in InstructorFeedback.objects.exclude(comments=None):
        assert feedback.comments in COMMENTS_BY_RATING[feedback.overall_rating]
