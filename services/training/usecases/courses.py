"""Courses: what sessions teach, and how many days completing one takes."""

from services.training.domain import RefusalError
from services.training.entities import Course
from services.training.store import TrainingUnitOfWork


async def add_course(uow: TrainingUnitOfWork, code: str, title_vi: str, required_days: int | None) -> Course:
    if await uow.courses.get(code):
        raise RefusalError("code", f"khóa học {code} đã có", conflict=True)
    course = Course(code=code, title_vi=title_vi, required_days=required_days, created_at=uow.clock.now())
    await uow.courses.add(course)
    return course


async def list_courses(uow: TrainingUnitOfWork) -> list[Course]:
    return await uow.courses.all()
